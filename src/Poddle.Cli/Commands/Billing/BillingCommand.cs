namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing balance|usage|transactions`.</summary>
internal sealed class BillingCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "billing",
    "Your balance, this month's usage and your transactions",
    new BalanceCommand(environment, globals),
    new UsageCommand(environment, globals),
    new TransactionsCommand(environment, globals));
