namespace Poddle.Server.RateLimiting;

/// <summary>
/// Request rate limits (configuration section "RateLimits", e.g. PODDLE_RateLimits__ApiPerUser__PermitLimit=600).
/// Fixed windows; a request over a limit is a 429 problem with Retry-After. The defaults are far above what a person or
/// the CLI does; they stop floods and scripted abuse. Validated at start by <see cref="RateLimitOptionsValidator"/>.
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>POST /api/auth/register, per client IP (a classroom behind one NAT registers together: keep it roomy).</summary>
    public FixedWindowLimit Registration { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromMinutes(10) };

    /// <summary>Password reset and email verification requests (they send mail), per client IP.</summary>
    public FixedWindowLimit PasswordReset { get; set; } = new() { PermitLimit = 20, Window = TimeSpan.FromMinutes(10) };

    /// <summary>Every authenticated API request, per user.</summary>
    public FixedWindowLimit ApiPerUser { get; set; } = new() { PermitLimit = 1200, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Every authenticated API request, per client IP (all users behind it together).</summary>
    public FixedWindowLimit ApiPerIp { get; set; } = new() { PermitLimit = 6000, Window = TimeSpan.FromMinutes(1) };
}

/// <summary>At most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed class FixedWindowLimit
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; }
}
