using System.CommandLine;
using Poddle.Cli.Output;
using Poddle.Contracts;
using Spectre.Console;

namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing transactions`: the ledger, newest first, a page at a time.</summary>
internal sealed class TransactionsCommand : CliCommand
{
    private readonly Option<int> _limit = new("--limit", "-n") { Description = "How many entries (1 to 200)", DefaultValueFactory = _ => 20 };
    private readonly Option<int> _offset = new("--offset") { Description = "How many of the newest entries to skip", DefaultValueFactory = _ => 0 };

    public TransactionsCommand(CliEnvironment environment, GlobalOptions globals)
        : base("transactions", "Your transactions (payments, credits, hourly charges), newest first", environment, globals)
    {
        Aliases.Add("tx");
        Options.Add(_limit);
        Options.Add(_offset);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        var page = await context.Authenticated().ListTransactionsAsync(parse.GetValue(_offset), parse.GetValue(_limit), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(page, PoddleJsonContext.Default.LedgerPageResponse);
            return ExitCode.Ok;
        }

        if (page.Total == 0)
        {
            context.Output.Message("No transactions yet.");
            return ExitCode.Ok;
        }

        var table = CliOutput.Table("WHEN", "KIND", "AMOUNT", "BALANCE", "REASON", "REFERENCE");
        foreach (var e in page.Entries)
        {
            table.AddRow(
                new Text(CliOutput.Minute(e.CreatedAt)),
                new Text(e.Kind),
                new Text(MoneyText.Of(e.AmountMinor, e.Currency)),
                new Text(MoneyText.Of(e.BalanceAfterMinor, e.Currency)),
                new Text(e.Reason),
                new Text(e.Reference));
        }

        context.Output.Out.Write(table);
        context.Output.Message($"{page.Entries.Count} of {page.Total}; see more with --offset {parse.GetValue(_offset) + page.Entries.Count}.");
        return ExitCode.Ok;
    }
}
