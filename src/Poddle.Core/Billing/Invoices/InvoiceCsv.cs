using System.Globalization;
using System.Text;

namespace Poddle.Core.Billing.Invoices;

/// <summary>
/// The invoice as CSV (RFC 4180): one row per line with its section, amounts in minor units (exact integers) and in
/// major units. A text cell that a spreadsheet would run as a formula (=, +, -, @ first) gets a leading apostrophe.
/// </summary>
public static class InvoiceCsv
{
    public const string Header = "section,time,deployment_or_kind,reason,reference,hours,replica_seconds,cpu_millicore_seconds,memory_mb_seconds,amount_minor,amount,currency";

    public static string Render(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var csv = new StringBuilder().Append(Header).Append("\r\n");
        Row(csv, invoice, "opening", null, string.Empty, string.Empty, string.Empty, null, invoice.OpeningMinor);
        foreach (var l in invoice.Charges)
        {
            Row(csv, invoice, "charge", null, l.Deployment, string.Empty, l.DeploymentId.ToString(), l, -l.AmountMinor);
        }

        foreach (var p in invoice.Payments)
        {
            Row(csv, invoice, "payment", p.At, p.Kind, p.Reason, p.Reference, null, p.AmountMinor);
        }

        foreach (var a in invoice.Adjustments)
        {
            Row(csv, invoice, "adjustment", a.At, a.Kind, a.Reason, a.Reference, null, a.AmountMinor);
        }

        Row(csv, invoice, "closing", null, string.Empty, string.Empty, string.Empty, null, invoice.ClosingMinor);
        return csv.ToString();
    }

    /// <summary>Charges are written signed as in the ledger (negative), so the amount column sums from opening to closing.</summary>
    private static void Row(StringBuilder csv, Invoice invoice, string section, DateTimeOffset? at, string what, string reason, string reference, InvoiceChargeLine? usage, long amountMinor)
    {
        string[] cells =
        [
            section,
            at is { } t ? InvoiceFormat.Time(t) : string.Empty,
            Text(what),
            Text(reason),
            Text(reference),
            usage?.Hours.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            usage?.ReplicaSeconds.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            usage?.CpuMillicoreSeconds.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            usage?.MemoryMbSeconds.ToString(CultureInfo.InvariantCulture) ?? string.Empty,
            amountMinor.ToString(CultureInfo.InvariantCulture),
            InvoiceFormat.Amount(amountMinor),
            invoice.Currency,
        ];
        csv.AppendJoin(',', cells.Select(Quote)).Append("\r\n");
    }

    private static string Text(string value) => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\r', '\n']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
