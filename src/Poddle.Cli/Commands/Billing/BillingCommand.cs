namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing balance|usage|transactions|invoices|fund`.</summary>
internal sealed class BillingCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "billing",
    "Your balance, this month's usage, your transactions and invoices, and adding money",
    new BalanceCommand(environment, globals),
    new UsageCommand(environment, globals),
    new TransactionsCommand(environment, globals),
    new InvoicesCommand(environment, globals),
    new FundCommand(environment, globals));
