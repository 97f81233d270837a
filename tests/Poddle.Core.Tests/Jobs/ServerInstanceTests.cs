using Microsoft.Extensions.Logging.Abstractions;
using Poddle.Core.Jobs;

namespace Poddle.Core.Tests.Jobs;

public sealed class ServerInstanceTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "poddle-instance-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Open_AfterTheProcessHoldingItEnds_GivesTheSameIdAgain()
    {
        string first;
        using (var instance = ServerInstance.Open(_directory, NullLogger.Instance))
        {
            Assert.True(instance.Persistent);
            first = instance.Id;
            Assert.Equal(first + "/", instance.LeasePrefix);
        }

        using var again = ServerInstance.Open(_directory, NullLogger.Instance);

        Assert.True(again.Persistent);
        Assert.Equal(first, again.Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_directory, ServerInstance.FileName)));
    }

    [Fact]
    public void Open_WhileAnotherLiveProcessHoldsIt_IsEphemeralWithAnotherId()
    {
        using var running = ServerInstance.Open(_directory, NullLogger.Instance);

        using var second = ServerInstance.Open(_directory, NullLogger.Instance);

        Assert.False(second.Persistent);
        Assert.NotEqual(running.Id, second.Id);
    }

    [Fact]
    public void Open_UnreadableContent_IsReplacedByANewId()
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, ServerInstance.FileName), "not/an id with spaces\n");

        string id;
        using (var instance = ServerInstance.Open(_directory, NullLogger.Instance))
        {
            Assert.True(instance.Persistent);
            id = instance.Id;
        }

        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, File.ReadAllText(Path.Combine(_directory, ServerInstance.FileName)).Trim());
    }

    [Fact]
    public void Constructor_IdThatCouldNotBeMatchedByPrefix_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => new ServerInstance("a/b", persistent: true));
        Assert.Throws<ArgumentException>(() => new ServerInstance("", persistent: true));
        Assert.Throws<ArgumentException>(() => new ServerInstance("100%", persistent: true));
    }
}
