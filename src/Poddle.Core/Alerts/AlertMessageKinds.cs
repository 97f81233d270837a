namespace Poddle.Core.Alerts;

/// <summary>What a message about an incident says (the <c>kind</c> of the JSON payload): it started, or it ended.</summary>
public static class AlertMessageKinds
{
    public const string Problem = "problem";
    public const string Recovery = "recovery";
}
