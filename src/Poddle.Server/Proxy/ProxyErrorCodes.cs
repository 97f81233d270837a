namespace Poddle.Server.Proxy;

/// <summary>
/// The stable codes of the reverse proxy's own answers. They used to be snake_case, unlike every other code; they are
/// kebab-case now, and for one release each answer also carries its old code in the <see cref="LegacyCodeExtension"/>
/// extension so a client that matched on it can move over (docs/api.md says so). Remove the legacy values after that.
/// </summary>
public static class ProxyErrorCodes
{
    /// <summary>503: the app has no ready replica (starting, scaled to zero or failing its health check).</summary>
    public const string NoReadyReplica = "no-ready-replica";

    /// <summary>404: no app is deployed at the requested host name.</summary>
    public const string AppNotFound = "app-not-found";

    /// <summary>The ProblemDetails extension that carries a renamed code's old value for one release.</summary>
    public const string LegacyCodeExtension = "legacyCode";

    /// <summary>The old snake_case value of <see cref="NoReadyReplica"/>; removed in the next release.</summary>
    public const string LegacyNoReadyReplica = "no_ready_replica";

    /// <summary>The old snake_case value of <see cref="AppNotFound"/>; removed in the next release.</summary>
    public const string LegacyAppNotFound = "app_not_found";
}
