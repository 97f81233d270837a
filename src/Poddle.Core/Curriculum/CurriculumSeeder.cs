using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Curriculum;

/// <summary>
/// Loads the starter curriculum into the database on start: levels and problems that are not stored yet are added;
/// stored ones are never changed, so a teacher's or admin's edit of a starter problem survives every restart and upgrade.
/// Safe when several servers start at once on one PostgreSQL database: a server that loses the race to insert a row
/// reads again and adds only what is still missing.
/// </summary>
public sealed partial class CurriculumSeeder(
    PoddleDbContext db,
    IDatabaseErrors databaseErrors,
    ProblemCatalog catalog,
    TimeProvider clock,
    ILogger<CurriculumSeeder> logger)
{
    private const int MaxAttempts = 5;

    /// <summary>Adds what is missing of <paramref name="curriculum"/> (the embedded starter set when null).</summary>
    /// <returns>How many levels and problems were added (0 and 0 once seeded).</returns>
    public async Task<(int Levels, int Problems)> SeedAsync(CurriculumSet? curriculum, CancellationToken cancellationToken)
    {
        curriculum ??= CurriculumLoader.LoadStarter();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var added = await AddMissingAsync(curriculum, cancellationToken);
                if (added.Levels + added.Problems > 0)
                {
                    catalog.Invalidate();
                    LogSeeded(logger, added.Levels, added.Problems);
                }

                return added;
            }
            catch (DbUpdateException ex) when (attempt < MaxAttempts && databaseErrors.IsUniqueViolation(ex))
            {
                // Another server inserted some of the same rows first: forget ours and look again.
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<(int Levels, int Problems)> AddMissingAsync(CurriculumSet curriculum, CancellationToken cancellationToken)
    {
        var storedLevels = (await db.Set<StoredLevel>().AsNoTracking().Select(l => new { l.AgeGroup, l.Number }).ToListAsync(cancellationToken))
            .Select(l => (l.AgeGroup, l.Number)).ToHashSet();
        var storedProblems = (await db.Set<StoredProblem>().AsNoTracking().Select(p => p.Id).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetStoredUtcNow();

        var levels = curriculum.Levels.Where(l => !storedLevels.Contains((l.AgeGroup, l.Number))).ToList();
        foreach (var level in levels)
        {
            db.Set<StoredLevel>().Add(new StoredLevel
            {
                AgeGroup = level.AgeGroup,
                Number = level.Number,
                Title = level.Title,
                SessionsJson = JsonSerializer.Serialize(level.Sessions),
                Cheatsheet = level.Cheatsheet,
            });
        }

        var problems = curriculum.Problems.Where(p => !storedProblems.Contains(p.Id)).ToList();
        foreach (var problem in problems)
        {
            db.Set<StoredProblem>().Add(new StoredProblem
            {
                Id = problem.Id,
                CurrentVersion = 1,
                Origin = ProblemOrigin.Starter,
                AuthorId = null,
                CreatedAt = now,
                UpdatedAt = now,
            });
            db.Set<StoredProblemVersion>().Add(ProblemService.NewVersion(problem, 1, null, now));
        }

        if (levels.Count + problems.Count > 0)
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        return (levels.Count, problems.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded the starter curriculum: {Levels} level(s) and {Problems} problem(s) added")]
    private static partial void LogSeeded(ILogger logger, int levels, int problems);
}
