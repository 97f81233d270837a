namespace Poddle.Server.Piston;

/// <summary>The Piston-compatible API (configuration section "Piston"; PODDLE_PISTON_ALLOW_ANONYMOUS).</summary>
public sealed class PistonOptions
{
    public const string SectionName = "Piston";

    /// <summary>
    /// Lets POST /api/v2/execute run without a bearer token (Piston clients send none), rate-limited per client IP
    /// by Execution:RateLimit. Off by default: a token (JWT or pdl_ API token) is required.
    /// </summary>
    public bool AllowAnonymous { get; set; }
}
