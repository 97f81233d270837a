namespace Poddle.Core.Billing.Payments.Click;

/// <summary>Click's <c>action</c> values.</summary>
public static class ClickActions
{
    public const int Prepare = 0;

    public const int Complete = 1;
}
