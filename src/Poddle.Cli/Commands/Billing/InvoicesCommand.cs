using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Billing;

/// <summary>
/// `poddle billing invoices [month] [--html|--csv] [-o file]`: the monthly invoices, or one month's as a table, as the
/// printable HTML page or as CSV.
/// </summary>
internal sealed class InvoicesCommand : CliCommand
{
    private readonly Argument<string?> _month = new("month") { Description = "A month such as 2026-12 (UTC): show that invoice", Arity = ArgumentArity.ZeroOrOne };
    private readonly Option<bool> _html = new("--html") { Description = "The month's invoice as a printable HTML page" };
    private readonly Option<bool> _csv = new("--csv") { Description = "The month's invoice as CSV" };
    private readonly Option<FileInfo?> _output = new("--output", "-o") { Description = "Write the HTML or CSV to this file instead of standard output" };

    public InvoicesCommand(CliEnvironment environment, GlobalOptions globals)
        : base("invoices", "Your monthly invoices; with a month, that invoice (table, --html or --csv)", environment, globals)
    {
        Arguments.Add(_month);
        Options.Add(_html);
        Options.Add(_csv);
        Options.Add(_output);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var month = parse.GetValue(_month);
        var html = parse.GetValue(_html);
        var csv = parse.GetValue(_csv);
        if ((html || csv) && (month is null || (html && csv)))
        {
            context.Output.ErrorMessage("Name one month for --html or --csv (e.g. `poddle billing invoices 2026-12 --html`), and only one of the two.");
            return ExitCode.Usage;
        }

        var client = context.Authenticated();
        if (month is null)
        {
            var list = await client.ListInvoicesAsync(cancellationToken);
            if (context.Output.Json)
            {
                context.Output.WriteJson(list, PoddleJsonContext.Default.InvoiceListResponse);
                return ExitCode.Ok;
            }

            var table = CliOutput.Table("MONTH", "OPENING", "CHARGES", "PAYMENTS", "OTHER", "CLOSING");
            foreach (var i in list.Invoices)
            {
                table.AddRow(i.Month, MoneyText.Of(i.OpeningMinor, i.Currency), MoneyText.Of(i.ChargesMinor, i.Currency), MoneyText.Of(i.PaymentsMinor, i.Currency), MoneyText.Of(i.AdjustmentsMinor, i.Currency), MoneyText.Of(i.ClosingMinor, i.Currency));
            }

            context.Output.Out.Write(table);
            context.Output.Message("See one with `poddle billing invoices <month>` (--html or --csv for the document).");
            return ExitCode.Ok;
        }

        if (html || csv)
        {
            var document = await client.GetInvoiceDocumentAsync(month, html ? "text/html" : "text/csv", cancellationToken);
            if (parse.GetValue(_output) is not { } file)
            {
                await context.Environment.Out.WriteAsync(document);
                await context.Environment.Out.FlushAsync(cancellationToken);
                return ExitCode.Ok;
            }

            var path = Curriculum.CurriculumFiles.ResolvePath(context.Environment, file);
            try
            {
                await File.WriteAllTextAsync(path, document, new System.Text.UTF8Encoding(false), cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"Cannot write '{path}': {ex.Message}");
            }

            context.Output.Message($"Wrote invoice {month} to {path}.");

            return ExitCode.Ok;
        }

        var invoice = await client.GetInvoiceAsync(month, cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(invoice, PoddleJsonContext.Default.InvoiceResponse);
            return ExitCode.Ok;
        }

        var c = invoice.Currency;
        context.Output.Message($"Invoice {invoice.Month}: opening {MoneyText.Of(invoice.OpeningMinor, c)}, closing {MoneyText.Of(invoice.ClosingMinor, c)}");
        var charges = CliOutput.Table("DEPLOYMENT", "HOURS", "REPLICA-HOURS", "AMOUNT");
        foreach (var l in invoice.Charges)
        {
            charges.AddRow(l.Deployment, l.Hours.ToString(System.Globalization.CultureInfo.InvariantCulture), MoneyText.Hours(l.ReplicaSeconds, 1), MoneyText.Of(l.AmountMinor, c));
        }

        charges.AddRow("total charges", string.Empty, string.Empty, MoneyText.Of(invoice.ChargesMinor, c));
        context.Output.Out.Write(charges);
        var entries = CliOutput.Table("WHEN", "KIND", "AMOUNT", "REASON", "REFERENCE");
        foreach (var e in invoice.Payments.Concat(invoice.Adjustments).OrderBy(e => e.At))
        {
            entries.AddRow(new Text(CliOutput.Minute(e.At)), new Text(e.Kind), new Text(MoneyText.Of(e.AmountMinor, c)), new Text(e.Reason), new Text(e.Reference));
        }

        context.Output.Out.Write(entries);
        return ExitCode.Ok;
    }
}
