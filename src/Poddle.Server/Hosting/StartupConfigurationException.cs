namespace Poddle.Server.Hosting;

/// <summary>A configuration value is missing or wrong; the message names the key. `poddle serve` prints it and exits non-zero.</summary>
public sealed class StartupConfigurationException : Exception
{
    public StartupConfigurationException(string message)
        : base(message)
    {
    }

    public StartupConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public StartupConfigurationException()
    {
    }
}
