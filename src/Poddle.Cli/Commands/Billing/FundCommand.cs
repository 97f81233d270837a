using System.CommandLine;
using System.Globalization;
using Poddle.Contracts;

namespace Poddle.Cli.Commands.Billing;

/// <summary>`poddle billing fund 50000 [--provider payme|click]`: starts a payment and prints the provider's pay link.</summary>
internal sealed class FundCommand : CliCommand
{
    private readonly Argument<string> _amount = new("amount") { Description = "How much to add, in the currency's major unit (e.g. 50000 or 50000.50 UZS)" };
    private readonly Option<string?> _provider = new("--provider", "-p") { Description = "payme or click (default: the only one the server offers)" };

    public FundCommand(CliEnvironment environment, GlobalOptions globals)
        : base("fund", "Add money to your balance through a payment provider (prints the link to pay)", environment, globals)
    {
        Arguments.Add(_amount);
        Options.Add(_provider);
    }

    protected override async Task<ExitCode> ExecuteAsync(CliContext context, ParseResult parse, CancellationToken cancellationToken)
    {
        if (!TryParseMinor(parse.GetValue(_amount), out var amountMinor))
        {
            context.Output.ErrorMessage("The amount must be a positive number with at most two decimals, such as 50000 or 50000.50.");
            return ExitCode.Usage;
        }

        var client = context.Authenticated();
        var provider = parse.GetValue(_provider);
        if (provider is null)
        {
            var offered = (await client.GetPaymentProvidersAsync(cancellationToken)).Providers;
            if (offered.Count != 1)
            {
                context.Output.ErrorMessage(offered.Count == 0
                    ? "This server offers no payment provider; ask its administrator to configure Payme or Click."
                    : $"Choose a provider with --provider ({string.Join(" or ", offered)}).");
                return offered.Count == 0 ? ExitCode.Error : ExitCode.Usage;
            }

            provider = offered[0];
        }

        var started = await client.FundAsync(new FundRequest(provider, amountMinor), cancellationToken);
        if (context.Output.Json)
        {
            context.Output.WriteJson(started, PoddleJsonContext.Default.FundResponse);
            return ExitCode.Ok;
        }

        context.Output.Message($"Pay {started.Amount} with {started.Provider}: {started.PayUrl.AbsoluteUri}");
        context.Output.Message($"Payment #{started.PaymentId} is waiting; your balance grows when {started.Provider} confirms it (see `poddle billing balance`).");
        return ExitCode.Ok;
    }

    /// <summary>"50000", "50000.5" or "50000.50" → minor units, exactly; false for anything else.</summary>
    internal static bool TryParseMinor(string? text, out long minor)
    {
        minor = 0;
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major) || major <= 0 || major > 1_000_000_000_000m)
        {
            return false;
        }

        var scaled = major * 100;
        if (scaled != decimal.Truncate(scaled))
        {
            return false;
        }

        minor = (long)scaled;
        return true;
    }
}
