namespace Poddle.Web.Auth;

/// <summary>The web app's sign-in settings (section "Web").</summary>
public sealed class WebOptions
{
    public const string SectionName = "Web";

    /// <summary>
    /// How long a browser's session, once confirmed in the database, is trusted without asking again: a revoked session
    /// stops working on the first request after this. Zero asks on every request.
    /// </summary>
    public TimeSpan SessionCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often an open circuit (an interactive page) checks its session; a revoked one is signed out.</summary>
    public TimeSpan CircuitRevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);
}
