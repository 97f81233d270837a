using Microsoft.EntityFrameworkCore;
using Poddle.Core.Common;
using Poddle.Core.Curriculum;
using Poddle.Core.Persistence;

namespace Poddle.Core.Progress;

/// <summary>The learning site's per-user choices (<see cref="LearnerPreference"/>): the age group of the level map.</summary>
public sealed class LearnerPreferenceService(PoddleDbContext db, IProblemCatalog catalog, IDatabaseErrors errors, TimeProvider clock)
{
    /// <summary>The user's age group; null until they choose one.</summary>
    public async Task<string?> AgeGroupAsync(Guid userId, CancellationToken cancellationToken) =>
        await db.Set<LearnerPreference>().AsNoTracking().Where(p => p.UserId == userId).Select(p => p.AgeGroup).FirstOrDefaultAsync(cancellationToken);

    /// <summary>Remembers the user's age group; 400 for one the curriculum has no levels for.</summary>
    public async Task<Result<string>> SetAgeGroupAsync(Guid userId, string? ageGroup, CancellationToken cancellationToken)
    {
        var known = (await catalog.LevelsAsync(cancellationToken)).Select(l => l.AgeGroup).Distinct(StringComparer.Ordinal).ToList();
        if (ageGroup is null || !known.Contains(ageGroup, StringComparer.Ordinal))
        {
            return Error.Validation(FieldPath.Of(nameof(ageGroup)), $"Choose one of the age groups: {string.Join(", ", known)}.");
        }

        for (var attempt = 1; ; attempt++)
        {
            var row = await db.Set<LearnerPreference>().FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
            if (row is null)
            {
                row = new LearnerPreference { UserId = userId, AgeGroup = ageGroup };
                db.Add(row);
            }

            row.AgeGroup = ageGroup;
            row.UpdatedAt = clock.GetStoredUtcNow();
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                db.Entry(row).State = EntityState.Detached;
                return ageGroup;
            }
            catch (DbUpdateException ex) when (attempt == 1 && errors.IsUniqueViolation(ex))
            {
                // Chosen at the same moment on another device: update that row instead.
                db.ChangeTracker.Clear();
            }
        }
    }
}
