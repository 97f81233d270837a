using System.CommandLine;
using System.CommandLine.Parsing;

namespace Poddle.Cli.Output;

/// <summary>
/// A command line that does not parse: one message per problem (never the same one twice, and not the echoes of an
/// unknown word: System.CommandLine also reports every word after it and the "missing" subcommand), a "did you mean"
/// for a mistyped command or option, and where to find the usage. The caller exits with <see cref="ExitCode.Usage"/>.
/// </summary>
internal static class UsageErrors
{
    /// <summary>The messages for <paramref name="parse"/>, each starting "error: ", then the help hint.</summary>
    public static IReadOnlyList<string> Describe(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var path = CommandPath(command);
        var messages = new List<string>();
        if (parse.UnmatchedTokens.Count > 0)
        {
            messages.Add(Unknown(parse.UnmatchedTokens[0], command, path));

            // Errors of the command itself follow from the unknown word ("Required command was not provided",
            // "Unrecognized command or argument" for every later word); those of its options and arguments do not.
            messages.AddRange(parse.Errors.Where(e => e.SymbolResult is not (null or CommandResult)).Select(e => "error: " + e.Message));
        }
        else
        {
            messages.AddRange(parse.Errors.Select(e => e.SymbolResult is CommandResult { Command: { Action: null, Subcommands.Count: > 0 } group }
                ? $"error: '{CommandPath(group)}' needs a command: {string.Join(", ", group.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}."
                : "error: " + e.Message));
        }

        return [.. messages.Distinct(StringComparer.Ordinal), $"Run '{path} --help' for usage."];
    }

    /// <summary>
    /// A mistyped option that the parser took for an argument value (`poddle deploy --replcas 2` makes "--replcas" the
    /// directory): the first argument word before `--` that starts with '-' and is neither "-" nor a number. Null when
    /// there is none. (Not for commands whose arguments are another program's command line: <see cref="CliCommand.TakesCommandLine"/>.)
    /// </summary>
    public static string? OptionTakenAsArgument(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var command = parse.CommandResult.Command;
        var afterDash = parse.Tokens.SkipWhile(t => t.Type != TokenType.DoubleDash).Skip(1).Count();
        var arguments = parse.CommandResult.Children.OfType<ArgumentResult>().SelectMany(a => a.Tokens).ToList();
        var word = arguments.Take(Math.Max(0, arguments.Count - afterDash))
            .FirstOrDefault(t => t.Value.Length > 1 && t.Value.StartsWith('-') && !double.TryParse(t.Value, System.Globalization.CultureInfo.InvariantCulture, out _));
        return word is null ? null : Unknown(word.Value, command, CommandPath(command));
    }

    /// <summary>Unknown command or option (with suggestions), or a stray argument.</summary>
    internal static string Unknown(string token, Command command, string path)
    {
        if (token.StartsWith('-') && token.Length > 1)
        {
            var options = OptionsOf(command).Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith('-'));
            return $"error: unknown option '{token}' for '{path}'.{TypoSuggestions.Sentence(TypoSuggestions.For(token, options))}";
        }

        if (command.Subcommands.Any(c => !c.Hidden))
        {
            var names = command.Subcommands.Where(c => !c.Hidden).SelectMany(c => c.Aliases.Prepend(c.Name));
            return $"error: '{token}' is not a command of '{path}'.{TypoSuggestions.Sentence(TypoSuggestions.For(token, names))}";
        }

        return $"error: unexpected argument '{token}' for '{path}'.";
    }

    /// <summary>"poddle projects ls" for the ls command.</summary>
    internal static string CommandPath(Command command)
    {
        var names = new Stack<string>();
        for (Symbol? symbol = command; symbol is not null; symbol = symbol.Parents.FirstOrDefault())
        {
            names.Push(symbol is RootCommand ? "poddle" : symbol.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>The command's options and the recursive ones of the commands above it (--server, --json ...).</summary>
    private static IEnumerable<Option> OptionsOf(Command command)
    {
        foreach (var option in command.Options)
        {
            yield return option;
        }

        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            foreach (var option in parent.Options.Where(o => o.Recursive))
            {
                yield return option;
            }
        }
    }
}
