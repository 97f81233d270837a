using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Poddle.Core.Common;
using Poddle.Core.Persistence;

namespace Poddle.Core.Deployments;

/// <summary>Uploads of source bundles: into one of the caller's projects, at most <see cref="DeploymentOptions.MaxSourceBytes"/>, checked to unpack safely.</summary>
public sealed partial class SourceBundleService(
    PoddleDbContext db,
    SourceBundleStore store,
    IOptions<DeploymentOptions> options,
    TimeProvider clock,
    ILogger<SourceBundleService> logger)
{
    public async Task<Result<SourceBundle>> UploadAsync(Guid ownerId, Guid projectId, Stream content, long? declaredLength, CancellationToken cancellationToken)
    {
        if (!await db.Projects.AnyAsync(p => p.Id == projectId && p.OwnerId == ownerId, cancellationToken))
        {
            return Error.NotFound("Project");
        }

        var max = options.Value.MaxSourceBytes;
        if (declaredLength > max)
        {
            return TooLarge(max);
        }

        var now = clock.GetStoredUtcNow();
        var id = Guid.CreateVersion7(now);
        StoredSourceBundle? stored;
        try
        {
            stored = await store.SaveAsync(id, content, max, cancellationToken);
        }
        catch (InvalidSourceBundleException ex)
        {
            LogRejected(logger, projectId, ex.Message);
            return Error.Validation(DeploymentFields.SourceBundle, ex.Message);
        }

        if (stored is null)
        {
            return TooLarge(max);
        }

        var bundle = new SourceBundle { Id = id, OwnerId = ownerId, Sha256 = stored.Sha256, SizeBytes = stored.SizeBytes, CreatedAt = now };
        db.SourceBundles.Add(bundle);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            store.Delete(id);
            throw;
        }

        LogStored(logger, id, stored.SizeBytes, projectId);
        return bundle;
    }

    private static Error TooLarge(long max) =>
        Error.TooLarge(DeploymentFields.SourceBundle, $"A source bundle may be at most {max} bytes (Deployments:MaxSourceBytes); leave build outputs and dependencies out of it.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Source bundle {SourceId} stored ({SizeBytes} bytes) for project {ProjectId}")]
    private static partial void LogStored(ILogger logger, Guid sourceId, long sizeBytes, Guid projectId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source bundle for project {ProjectId} refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, Guid projectId, string reason);
}
