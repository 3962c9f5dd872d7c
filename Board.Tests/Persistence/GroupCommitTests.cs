using System.Diagnostics.Metrics;
using Board.Web.Persistence;
using Microsoft.Data.Sqlite;

namespace Board.Tests.Persistence;

/// <summary>
/// SQLite's group commit on a real file with real concurrent writers: one writer's failure takes only its own work
/// with it, nobody is told "done" before the shared commit, and queued writers do share commits.
/// </summary>
[Trait("Kind", "Domain")]
public sealed class GroupCommitTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"board-group-{Guid.NewGuid():N}.db");
    private readonly string _connectionString;

    public GroupCommitTests()
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = _file, Pooling = false }.ToString();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var create = connection.CreateCommand();
        create.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE rows (writer INTEGER PRIMARY KEY);";
        create.ExecuteNonQuery();
    }

    /// <summary>Long enough that only the queue, not the group's age, decides when it commits, however slow the machine.</summary>
    private static readonly TimeSpan Patient = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ConcurrentWriters_KeepExactlyTheWorkOfThoseThatSucceeded_AndShareCommits()
    {
        const int writers = 200;
        var sizes = new List<int>();
        using var meters = new TestMeters();
        using var listener = Listen(meters, sizes);
        using var groups = new SqliteGroupCommit(meters, maxAge: Patient);

        // One writer holds the turn while the others arrive, so that they queue as they would behind a slow writer.
        var holder = await groups.EnterAsync(_connectionString, CancellationToken.None);
        Insert(holder, writers);
        var running = Enumerable.Range(0, writers).Select(async w =>
        {
            var turn = await groups.EnterAsync(_connectionString, CancellationToken.None);
            Insert(turn, w);
            // Every fifth writer fails after writing: its row must not survive, whoever commits the group.
            if (w % 5 == 0)
            {
                await turn.Leave(keep: false);
                return (Writer: w, Kept: false);
            }
            await turn.Leave(keep: true);
            return (Writer: w, Kept: true);
        }).ToList();
        // Every writer has asked for its turn (EnterAsync registers before it awaits); now the holder lets go.
        running.Add(KeepAsync(holder, writers));
        var results = await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(results.Where(r => r.Kept).Select(r => (long)r.Writer).Order(), Stored());
        Assert.Equal(writers + 1, sizes.Sum());
        // All queued at once: groups of up to MaxWriters each.
        Assert.True(sizes.Count <= (writers + 1 + SqliteGroupCommit.MaxWriters - 1) / SqliteGroupCommit.MaxWriters + 1,
            $"{sizes.Count} commits for {writers + 1} writers queued together ({string.Join(", ", sizes)})");
    }

    private static async Task<(int Writer, bool Kept)> KeepAsync(SqliteGroupCommit.Turn turn, int writer)
    {
        await turn.Leave(keep: true);
        return (writer, true);
    }

    [Fact]
    public async Task AWriterThatLeft_IsNotToldDone_UntilTheWriterQueuedBehindItCommitsTheGroup()
    {
        using var groups = new SqliteGroupCommit(maxAge: Patient);
        var (firstDone, secondTurn) = await FirstKeptWithSecondQueuedAsync(groups);
        Assert.False(firstDone.IsCompleted, "the first writer was answered before its work was committed");
        Assert.Empty(Stored());

        Insert(secondTurn, 2);
        await secondTurn.Leave(keep: true);
        await firstDone.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1L, 2L], Stored());
    }

    [Fact]
    public async Task AFailedGroupCommit_FailsEveryWriterInIt_AndTheNextGroupStartsAfresh()
    {
        using var groups = new SqliteGroupCommit(maxAge: Patient);
        var (firstDone, secondTurn) = await FirstKeptWithSecondQueuedAsync(groups);
        // A writer whose work breaks the transaction's connection: the commit cannot happen.
        secondTurn.Connection.Close();
        var secondDone = secondTurn.Leave(keep: true);

        await Assert.ThrowsAnyAsync<Exception>(() => firstDone.WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAnyAsync<Exception>(() => secondDone.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Empty(Stored());

        var third = await groups.EnterAsync(_connectionString, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Insert(third, 3);
        await third.Leave(keep: true);
        Assert.Equal([3L], Stored());
    }

    /// <summary>
    /// Writer 1 writes row 1 while writer 2 queues behind it, then leaves keeping its work: the group stays open for
    /// writer 2, whose turn this returns with writer 1's "done".
    /// </summary>
    private async Task<(Task FirstDone, SqliteGroupCommit.Turn SecondTurn)> FirstKeptWithSecondQueuedAsync(SqliteGroupCommit groups)
    {
        var first = await groups.EnterAsync(_connectionString, CancellationToken.None);
        Insert(first, 1);
        var second = groups.EnterAsync(_connectionString, CancellationToken.None);
        Assert.False(second.IsCompleted, "the turn is held: the second writer must be queued");
        var firstDone = first.Leave(keep: true);
        return (firstDone, await second.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static void Insert(SqliteGroupCommit.Turn turn, long writer)
    {
        using var insert = turn.Connection.CreateCommand();
        insert.Transaction = turn.Transaction;
        insert.CommandText = "INSERT INTO rows (writer) VALUES ($w)";
        insert.Parameters.AddWithValue("$w", writer);
        insert.ExecuteNonQuery();
    }

    /// <summary>What another connection sees committed.</summary>
    private List<long> Stored()
    {
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT writer FROM rows ORDER BY writer";
        using var reader = select.ExecuteReader();
        var rows = new List<long>();
        while (reader.Read()) rows.Add(reader.GetInt64(0));
        return rows;
    }

    /// <summary>Writers per commit, from this test's own meters only (apps of other tests publish the same instrument).</summary>
    private static MeterListener Listen(IMeterFactory meters, List<int> sizes)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "board.db.commit.writers" && instrument.Meter.Scope == meters) l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) =>
        {
            lock (sizes) sizes.Add(value);
        });
        listener.Start();
        return listener;
    }

    private sealed class TestMeters : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }

    public void Dispose()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
            File.Delete(_file + suffix);
    }
}
