namespace Poddle.Core.Deployments;

/// <summary>Where source bundles live: {DataDir}/sources.</summary>
public sealed record SourceBundleDirectory(string Path);

/// <summary>
/// Uploaded source bundles (tar.gz): stored under the data directory, unpacked safely on demand for the sandbox driver.
/// </summary>
public sealed class SourceBundleStore(SourceBundleDirectory root)
{
    /// <summary>
    /// A directory holding the bundle unpacked (made once per bundle, reused afterwards). Throws
    /// <see cref="FileNotFoundException"/> when the bundle does not exist.
    /// </summary>
    public Task<string> PrepareDirectoryAsync(Guid sourceId, CancellationToken cancellationToken)
    {
        // Filled in by the deployments API work (upload, safe extraction).
        _ = root;
        _ = sourceId;
        _ = cancellationToken;
        throw new NotSupportedException("Source bundles are not implemented yet.");
    }
}
