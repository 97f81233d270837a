namespace Poddle.Core.Billing;

/// <summary>Billing's problem codes (wire values: ProblemDetails <c>code</c> and <c>type</c>).</summary>
public static class BillingErrorCodes
{
    /// <summary>The balance does not cover the hours of the deployment's price the guard asks for (402).</summary>
    public const string InsufficientBalance = "insufficient-balance";

    /// <summary>The owner is suspended (balance below zero past the grace): nothing may be created or scaled up (402).</summary>
    public const string AccountSuspended = "account-suspended";
}
