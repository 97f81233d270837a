using System.Net;
using System.Net.Sockets;
using Poddle.Agent.Supervisor;
using Poddle.Agent.Tests.Support;
using Poddle.Agent.Validation;

namespace Poddle.Agent.Tests.Validation;

public sealed class StartupValidatorTests : IDisposable
{
    private readonly TestDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task ValidateAsync_EverythingInPlace_NoFailures()
    {
        File.WriteAllText(_directory.File("app.conf"), "ok");

        var failures = await Validator([_directory.File("app.conf"), _directory.Path], "test -f " + _directory.File("app.conf"), [FreePort()]).ValidateAsync(CancellationToken.None);

        Assert.Empty(failures);
    }

    [Fact]
    public async Task ValidateAsync_EveryKindOfFailure_IsReportedWithAClearMessage()
    {
        using var taken = new TcpListener(IPAddress.Any, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var missing = _directory.File("missing.conf");

        var failures = await Validator([missing], "echo 'nginx: [emerg] unknown directive \"sever\"' >&2; exit 1", [port]).ValidateAsync(CancellationToken.None);

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.Contains(missing, StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains($"port {port} is not free: already in use", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("failed with exit code 1", StringComparison.Ordinal) && f.Contains("unknown directive", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidateAsync_CommandThatHangs_FailsAtTheTimeout()
    {
        var validator = new StartupValidator(new ValidationSettings([], "sleep 30", [], TimeSpan.FromMilliseconds(500)), new ChildProcesses());

        var failure = Assert.Single(await validator.ValidateAsync(CancellationToken.None));

        Assert.Contains("did not finish", failure, StringComparison.Ordinal);
    }

    private static StartupValidator Validator(IReadOnlyList<string> files, string? command, IReadOnlyList<int> ports) =>
        new(new ValidationSettings(files, command, ports, TimeSpan.FromSeconds(30)), new ChildProcesses());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
