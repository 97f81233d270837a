using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Persistence;

namespace Poddle.Core.Curriculum;

/// <summary>
/// The stored curriculum (starter and teachers' problems), read from the database as one snapshot and kept for
/// <see cref="CacheDuration"/>. Every write through <see cref="ProblemService"/> calls <see cref="Invalidate"/>, so this
/// process sees its own edits at once; another server sharing the database sees them when its snapshot expires, within
/// <see cref="CacheDuration"/>.
/// </summary>
/// <remarks>
/// One snapshot instead of an entry per problem: the curriculum is small (tens to a few hundred problems), lists need
/// all of it anyway, and one load keeps levels, lists and single problems consistent with each other.
/// </remarks>
public sealed class ProblemCatalog(IServiceScopeFactory scopes, TimeProvider clock) : IProblemCatalog, IDisposable
{
    /// <summary>How long a snapshot is served before it is read again (the bound on other servers' staleness).</summary>
    public static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile CachedSnapshot? _cached;
    private long _generation;

    /// <summary>How many times the snapshot was read from the database (tests check that reads are cached).</summary>
    public int Loads { get; private set; }

    /// <inheritdoc />
    public async Task<CatalogProblem?> FindAsync(string problemId, CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).Find(problemId)?.ToCatalog();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Level>> LevelsAsync(CancellationToken cancellationToken) =>
        (await SnapshotAsync(cancellationToken)).Levels;

    /// <inheritdoc />
    public async Task<IReadOnlyList<CatalogProblem>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await SnapshotAsync(cancellationToken)).Problems.Where(p => !p.Archived).Select(p => p.ToCatalog())];

    /// <summary>Drops the snapshot: the next read loads the database again. Called after every write.</summary>
    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _cached = null;
    }

    /// <summary>The whole curriculum as of at most <see cref="CacheDuration"/> ago (or the last write in this process).</summary>
    public async Task<CurriculumSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        if (Fresh(_cached) is { } fresh)
        {
            return fresh;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_cached) is { } loadedMeanwhile)
            {
                return loadedMeanwhile;
            }

            var generation = Interlocked.Read(ref _generation);
            var loadedAt = clock.GetUtcNow();
            var snapshot = await LoadAsync(cancellationToken);
            Loads++;

            // A write that invalidated while this load ran may not be in it: serve it to this caller, but do not keep it.
            if (Interlocked.Read(ref _generation) == generation)
            {
                _cached = new CachedSnapshot(snapshot, loadedAt);
            }

            return snapshot;
        }
        finally
        {
            _loading.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _loading.Dispose();

    private CurriculumSnapshot? Fresh(CachedSnapshot? cached) =>
        cached is not null && clock.GetUtcNow() - cached.LoadedAt < CacheDuration ? cached.Snapshot : null;

    private async Task<CurriculumSnapshot> LoadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
        var levels = (await db.Set<StoredLevel>().AsNoTracking().ToListAsync(cancellationToken))
            .Select(l => new Level(l.AgeGroup, l.Number, l.Title, JsonSerializer.Deserialize<List<string>>(l.SessionsJson) ?? [], l.Cheatsheet))
            .ToList();
        var rows = await (
            from p in db.Set<StoredProblem>().AsNoTracking()
            join v in db.Set<StoredProblemVersion>().AsNoTracking() on new { p.Id, Version = p.CurrentVersion } equals new { Id = v.ProblemId, v.Version }
            select new { Problem = p, v.ContentJson }).ToListAsync(cancellationToken);
        var problems = rows
            .Select(r => new StoredProblemView(ProblemJson.Read(r.ContentJson), r.Problem.CurrentVersion, r.Problem.Archived, r.Problem.Origin, r.Problem.AuthorId, r.Problem.CreatedAt, r.Problem.UpdatedAt))
            .ToList();
        return new CurriculumSnapshot(levels, problems);
    }

    private sealed record CachedSnapshot(CurriculumSnapshot Snapshot, DateTimeOffset LoadedAt);
}

/// <summary>A stored problem's current version with what the API shows about it.</summary>
/// <param name="Problem">The content, hidden cases and solutions included: never send it to a client as it is.</param>
/// <param name="Version">The current version's number.</param>
/// <param name="Archived">Archived problems are not listed nor gradable.</param>
/// <param name="Origin"><see cref="ProblemOrigin.Starter"/> or <see cref="ProblemOrigin.Teacher"/>.</param>
/// <param name="AuthorId">The teacher who created it; null for the starter curriculum.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="UpdatedAt">When its current version was written (or it was archived).</param>
public sealed record StoredProblemView(Problem Problem, int Version, bool Archived, string Origin, Guid? AuthorId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>The session's id (<see cref="CurriculumSnapshot.SessionId"/>).</summary>
    public string SessionId => CurriculumSnapshot.SessionId(Problem.AgeGroup, Problem.Level, Problem.Session);

    /// <summary>As the <see cref="IProblemCatalog"/> seam gives it.</summary>
    public CatalogProblem ToCatalog() => new(Problem, Version, Archived, AuthorId);
}

/// <summary>The curriculum at one moment: levels in order, and every problem (archived included) in curriculum order.</summary>
public sealed class CurriculumSnapshot
{
    private readonly Dictionary<string, StoredProblemView> _byId;

    /// <summary>Orders the levels (age group, number) and the problems (level, session, order, id).</summary>
    public CurriculumSnapshot(IEnumerable<Level> levels, IEnumerable<StoredProblemView> problems)
    {
        Levels = [.. levels.OrderBy(l => l.AgeGroup, StringComparer.Ordinal).ThenBy(l => l.Number)];
        var levelIndex = Levels.Select((l, i) => (l, i)).ToDictionary(x => (x.l.AgeGroup, x.l.Number), x => x.i);
        int LevelOf(Problem p) => levelIndex.TryGetValue((p.AgeGroup, p.Level), out var i) ? i : int.MaxValue;
        int SessionOf(Problem p) => levelIndex.TryGetValue((p.AgeGroup, p.Level), out var i) && Levels[i].Sessions.ToList().IndexOf(p.Session) is var s and >= 0 ? s : int.MaxValue;
        Problems = [.. problems.OrderBy(p => LevelOf(p.Problem)).ThenBy(p => SessionOf(p.Problem)).ThenBy(p => p.Problem.Order).ThenBy(p => p.Problem.Id, StringComparer.Ordinal)];
        _byId = Problems.ToDictionary(p => p.Problem.Id, StringComparer.Ordinal);
    }

    /// <summary>Every level, by age group then number.</summary>
    public IReadOnlyList<Level> Levels { get; }

    /// <summary>Every problem, archived ones included, in curriculum order.</summary>
    public IReadOnlyList<StoredProblemView> Problems { get; }

    /// <summary>The problem with this id, archived or not; null when there is none.</summary>
    public StoredProblemView? Find(string problemId) => _byId.GetValueOrDefault(problemId);

    /// <summary>"{ageGroup}-{level}-{slug of the session's name}", e.g. "11-14-1-hello-python".</summary>
    public static string SessionId(string ageGroup, int level, string session) =>
        $"{ageGroup}-{level.ToString(System.Globalization.CultureInfo.InvariantCulture)}-{CurriculumSlug.Of(session)}";
}

/// <summary>Slugs for ids made from names: lower-case ASCII letters and digits, single dashes between words.</summary>
public static class CurriculumSlug
{
    /// <summary>"Hello, Python!" → "hello-python"; at most 64 characters; empty when the text has no letter or digit.</summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '-')
            {
                builder.Append('-');
            }
        }

        var slug = builder.ToString().Trim('-');
        return slug.Length <= 64 ? slug : slug[..64].TrimEnd('-');
    }
}

/// <summary>How a version's content is stored: the <see cref="Problem"/> record as JSON, hidden cases and solutions included.</summary>
internal static class ProblemJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Write(Problem problem) => JsonSerializer.Serialize(problem, Options);

    public static Problem Read(string json) =>
        JsonSerializer.Deserialize<Problem>(json, Options) ?? throw new JsonException("A stored problem version is null.");
}
