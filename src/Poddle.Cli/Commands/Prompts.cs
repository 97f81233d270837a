using Spectre.Console;

namespace Poddle.Cli.Commands;

/// <summary>What commands ask people for: values in a terminal (or a usage error naming the option), passwords, codes.</summary>
internal static class Prompts
{
    public static string Ask(CliContext context, string prompt, string option)
    {
        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage($"{option} is required when not running in a terminal.");
        }

        return context.Output.Error.Prompt(new TextPrompt<string>(prompt));
    }

    /// <summary>A password from the first line of standard input (--password-stdin) or a hidden prompt; never from an argument.</summary>
    public static string ReadPassword(CliContext context, bool fromStdin, bool confirm, string prompt = "Password:")
    {
        if (fromStdin)
        {
            var line = context.Environment.In.ReadLine();
            return string.IsNullOrEmpty(line)
                ? throw CliException.Usage("--password-stdin: standard input is empty; pipe the password in, e.g. `echo \"$PASSWORD\" | poddle login -u NAME --password-stdin`.")
                : line;
        }

        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage("Pass --password-stdin and pipe the password in (passwords are never taken as arguments), or run in a terminal to be prompted.");
        }

        var password = context.Output.Error.Prompt(new TextPrompt<string>(prompt).Secret());
        if (confirm && context.Output.Error.Prompt(new TextPrompt<string>("Repeat password:").Secret()) != password)
        {
            throw new CliException("The passwords do not match.");
        }

        return password;
    }

    /// <summary>
    /// A two-factor code: --code or --recovery-code when given, else asked for in a terminal (a recovery code is told
    /// apart by its letters or dashes), else a usage error saying which option to pass.
    /// </summary>
    public static (string? Code, string? RecoveryCode) ReadTwoFactorCode(CliContext context, string? code, string? recoveryCode, string why)
    {
        if (code is not null || recoveryCode is not null)
        {
            return (code, recoveryCode);
        }

        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage($"{why}: pass --code <the 6-digit code from your authenticator app>, or --recovery-code <one of your recovery codes>.");
        }

        var answer = context.Output.Error.Prompt(new TextPrompt<string>("Two-factor code (or a recovery code):")).Trim();
        return answer.All(c => char.IsAsciiDigit(c) || c == ' ') ? (answer, null) : (null, answer);
    }
}
