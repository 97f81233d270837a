namespace Poddle.Core.Billing;

/// <summary>
/// The HTTP client of billing's webhook (a singleton, so connections are reused). The address is the operator's own
/// (<see cref="BillingOptions.WebhookUrl"/>, from configuration, never from a user), so it may be a private one.
/// </summary>
public sealed class BillingWebhookClient : IDisposable
{
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => Http.Dispose();
}
