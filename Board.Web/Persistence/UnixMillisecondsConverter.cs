using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Board.Web.Persistence;

public sealed class UnixMillisecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => v.ToUnixTimeMilliseconds(),
    v => DateTimeOffset.FromUnixTimeMilliseconds(v));
