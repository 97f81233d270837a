namespace Poddle.Core.Alerts;

/// <summary>
/// The kinds of receiver a message goes to, the <c>receiver</c> label of <c>poddle_alerts_sent_total</c> and the prefix of a
/// delivery's receiver id (<c>operator-webhook:2</c> is the third of <c>Alerts:Webhooks</c>).
/// </summary>
public static class AlertReceiverKinds
{
    public const string OperatorWebhook = "operator-webhook";
    public const string OperatorEmail = "operator-email";
    public const string OwnerWebhook = "owner-webhook";
    public const string OwnerEmail = "owner-email";
}
