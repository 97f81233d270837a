using System.Net;
using System.Text;

namespace Poddle.Core.Billing.Invoices;

/// <summary>
/// The invoice as one printable HTML page: every value HTML-encoded, styles inline, no script and no external asset (so
/// it prints and saves as it is).
/// </summary>
public static class InvoiceHtml
{
    public static string Render(Invoice invoice, string customer)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var c = WebUtility.HtmlEncode(invoice.Currency);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<title>Poddle invoice ").Append(E(invoice.Month)).Append("</title>")
            .Append("<style>body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%;margin:1em 0}")
            .Append("th,td{border-bottom:1px solid #ccc;padding:.3em .5em;text-align:left}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}")
            .Append("tfoot td{font-weight:bold}@media print{body{margin:0}}</style></head><body>\n")
            .Append("<h1>Invoice ").Append(E(invoice.Month)).Append("</h1>\n")
            .Append("<p>Customer: ").Append(E(customer)).Append("<br>Period: ").Append(E(InvoiceFormat.Time(invoice.From))).Append(" to ")
            .Append(E(InvoiceFormat.Time(invoice.To))).Append(" (UTC)<br>Currency: ").Append(c).Append("</p>\n");

        html.Append("<table><tbody><tr><th>Opening balance</th><td class=\"n\">").Append(InvoiceFormat.Amount(invoice.OpeningMinor)).Append("</td></tr></tbody></table>\n");

        html.Append("<h2>Usage charges</h2>\n<table><thead><tr><th>Deployment</th><th class=\"n\">Hours charged</th><th class=\"n\">Replica-hours</th>")
            .Append("<th class=\"n\">CPU core-hours</th><th class=\"n\">Memory GB-hours</th><th class=\"n\">Amount</th></tr></thead><tbody>\n");
        foreach (var line in invoice.Charges)
        {
            html.Append("<tr><td>").Append(E(line.Deployment)).Append("</td><td class=\"n\">").Append(line.Hours)
                .Append("</td><td class=\"n\">").Append(InvoiceFormat.Hours(line.ReplicaSeconds))
                .Append("</td><td class=\"n\">").Append(InvoiceFormat.Hours(line.CpuMillicoreSeconds / 1000))
                .Append("</td><td class=\"n\">").Append(InvoiceFormat.Hours(line.MemoryMbSeconds / 1000))
                .Append("</td><td class=\"n\">").Append(InvoiceFormat.Amount(line.AmountMinor)).Append("</td></tr>\n");
        }

        html.Append("</tbody><tfoot><tr><td colspan=\"5\">Total charges</td><td class=\"n\">").Append(InvoiceFormat.Amount(invoice.ChargesMinor)).Append("</td></tr></tfoot></table>\n");
        Entries(html, "Payments", invoice.Payments, invoice.PaymentsMinor);
        Entries(html, "Other credits and debits", invoice.Adjustments, invoice.AdjustmentsMinor);
        html.Append("<table><tbody><tr><th>Closing balance</th><td class=\"n\">").Append(InvoiceFormat.Amount(invoice.ClosingMinor)).Append(' ').Append(c).Append("</td></tr></tbody></table>\n")
            .Append("</body></html>\n");
        return html.ToString();
    }

    private static void Entries(StringBuilder html, string title, IReadOnlyList<InvoiceEntryLine> lines, long total)
    {
        html.Append("<h2>").Append(E(title)).Append("</h2>\n<table><thead><tr><th>Time (UTC)</th><th>Kind</th><th>Reason</th><th>Reference</th><th class=\"n\">Amount</th></tr></thead><tbody>\n");
        foreach (var line in lines)
        {
            html.Append("<tr><td>").Append(E(InvoiceFormat.Time(line.At))).Append("</td><td>").Append(E(line.Kind)).Append("</td><td>").Append(E(line.Reason))
                .Append("</td><td>").Append(E(line.Reference)).Append("</td><td class=\"n\">").Append(InvoiceFormat.Amount(line.AmountMinor)).Append("</td></tr>\n");
        }

        html.Append("</tbody><tfoot><tr><td colspan=\"4\">Total</td><td class=\"n\">").Append(InvoiceFormat.Amount(total)).Append("</td></tr></tfoot></table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
