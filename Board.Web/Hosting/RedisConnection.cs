using StackExchange.Redis;

namespace Board.Web.Hosting;

/// <summary>
/// The one connection to Redis (<c>SignalR:Redis</c>) that presence and the shared rate limits use, with the key prefix
/// of this organisation; registered only when Redis is configured. Below every floor that uses it.
/// </summary>
public sealed record RedisConnection(Lazy<Task<IConnectionMultiplexer>> Multiplexer, string Prefix);
