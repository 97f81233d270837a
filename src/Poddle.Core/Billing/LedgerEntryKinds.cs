namespace Poddle.Core.Billing;

/// <summary>What a ledger entry is (wire values, stored and returned by the API). Credits are positive, debits negative.</summary>
public static class LedgerEntryKinds
{
    /// <summary>Credit: money paid through a payment provider.</summary>
    public const string Payment = "payment";

    /// <summary>Credit: granted by an admin (recorded on the entry).</summary>
    public const string Grant = "grant";

    /// <summary>Credit: money given back by an admin, e.g. for an outage (recorded on the entry).</summary>
    public const string Refund = "refund";

    /// <summary>Debit: one deployment's usage in one hour (<see cref="UsageCharge"/>).</summary>
    public const string Charge = "charge";

    /// <summary>Debit: a provider's payment cancelled after it was credited (Payme's cancel after perform) is taken back.</summary>
    public const string PaymentRefund = "payment-refund";

    public static bool IsCredit(string kind) => kind is Payment or Grant or Refund;
}
