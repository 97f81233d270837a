using System.Diagnostics;
using System.Text.RegularExpressions;
using MimeKit;

namespace Poddle.Testing;

/// <summary>
/// A real SMTP server for tests: Debian's python3-aiosmtpd on a free loopback port, writing every message it accepts
/// to a directory the test reads. It is never optional: when aiosmtpd is missing the test fails and says how to
/// install it (scripts/test.sh does). The process ends when this is disposed (or when the test process dies: it
/// exits when its standard input closes).
/// </summary>
public sealed partial class SmtpTestServer : IAsyncDisposable
{
    public const string From = "Poddle <noreply@poddle.test>";

    private const string Script = """
        import os, sys
        from aiosmtpd.controller import Controller

        class Handler:
            def __init__(self, directory):
                self.directory = directory
                self.count = 0

            async def handle_DATA(self, server, session, envelope):
                self.count += 1
                path = os.path.join(self.directory, "%06d.eml" % self.count)
                with open(path + ".tmp", "wb") as f:
                    f.write(envelope.original_content or envelope.content)
                os.replace(path + ".tmp", path)
                return "250 Message accepted"

        controller = Controller(Handler(sys.argv[2]), hostname="127.0.0.1", port=int(sys.argv[1]))
        controller.start()
        print("ready", flush=True)
        try:
            sys.stdin.read()
        finally:
            controller.stop()
        """;

    private readonly Process _process;
    private readonly string _root;

    private SmtpTestServer(Process process, string root, int port)
    {
        _process = process;
        _root = root;
        Port = port;
    }

    /// <summary>The Python that has aiosmtpd: Debian's, whatever else is first on PATH (PODDLE_TEST_PYTHON overrides).</summary>
    public static string Python => Environment.GetEnvironmentVariable("PODDLE_TEST_PYTHON") is { Length: > 0 } python ? python : "/usr/bin/python3";

    public int Port { get; }

    /// <summary>The server's settings for this SMTP server (plain SMTP on loopback, no authentication).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "None",
        ["Email:Smtp:From"] = From,
    };

    /// <summary>The same settings as PODDLE_* environment variables, for a `poddle serve` child process.</summary>
    public IReadOnlyDictionary<string, string?> EnvironmentVariables =>
        Settings.ToDictionary(s => "PODDLE_" + s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value);

    private string MailDirectory => Path.Combine(_root, "mail");

    public static async Task<SmtpTestServer> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "poddle-smtp-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path.Combine(root, "mail"));
        var script = Path.Combine(root, "smtp_server.py");
        await File.WriteAllTextAsync(script, Script);
        var port = FreePort.Next();
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(Path.Combine(root, "mail"));

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {Python}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{Python} is required for the SMTP tests ({ex.Message}). Install python3 and python3-aiosmtpd (scripts/test.sh does).", ex);
        }

        var server = new SmtpTestServer(process, root, port);
        var ready = process.StandardOutput.ReadLineAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (await Task.WhenAny(ready, Task.Delay(TimeSpan.FromSeconds(30))) != ready || await ready != "ready")
        {
            await server.DisposeAsync();
            throw new InvalidOperationException(
                "The test SMTP server (python3-aiosmtpd) did not start. Install it with `apt-get install python3-aiosmtpd` " +
                $"(scripts/test.sh does); set PODDLE_TEST_PYTHON for another Python. {(stderr.IsCompleted ? await stderr : string.Empty)}");
        }

        return server;
    }

    /// <summary>Every message received so far, oldest first.</summary>
    public IReadOnlyList<ReceivedMail> Messages() =>
        [.. Directory.GetFiles(MailDirectory, "*.eml").Order(StringComparer.Ordinal).Select(ReceivedMail.Load)];

    /// <summary>Waits (polling) until a message matching <paramref name="match"/> arrives, and returns the newest such message.</summary>
    public async Task<ReceivedMail> WaitForAsync(Func<ReceivedMail, bool> match, string what, TimeSpan? timeout = null)
    {
        ReceivedMail? found = null;
        await Poll.UntilAsync(() => Task.FromResult((found = Messages().LastOrDefault(match)) is not null), $"a mail: {what}", timeout ?? TimeSpan.FromSeconds(30));
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // Temp space.
        }
    }

}

/// <summary>One message the test SMTP server accepted: recipients, subject, the plain-text body, and the code in it.</summary>
public sealed partial record ReceivedMail(IReadOnlyList<string> To, string Subject, string Body, string Raw)
{
    /// <summary>The one-time code of a reset or verification mail (the indented line of 43 base64url characters).</summary>
    public string Code => CodePattern().Match(Body) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException($"No code in the mail '{Subject}':{Environment.NewLine}{Body}");

    public static ReceivedMail Load(string path)
    {
        var raw = File.ReadAllText(path);
        using var message = MimeMessage.Load(path);
        return new ReceivedMail(
            [.. message.To.Mailboxes.Select(m => m.Address)],
            message.Subject ?? string.Empty,
            message.TextBody ?? string.Empty,
            raw);
    }

    [GeneratedRegex(@"^\s{4,}([A-Za-z0-9_-]{43})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodePattern();
}
