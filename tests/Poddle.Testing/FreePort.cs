using Poddle.Drivers.Abstractions.Host;

namespace Poddle.Testing;

/// <summary>
/// A TCP port that was free a moment ago, for a test server to take: below the ephemeral range, so that no outgoing
/// connection (the tests' own database clients) takes it in between (<see cref="FreeTcpPort"/>).
/// </summary>
public static class FreePort
{
    public static int Next() => FreeTcpPort.Pick();
}
