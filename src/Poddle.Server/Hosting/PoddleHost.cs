using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Poddle.Core.Accounts;
using Poddle.Core.Common;

namespace Poddle.Server.Hosting;

/// <summary>
/// What the host is made of, decided before there is a container: the root settings (<see cref="ServerOptions"/>), the
/// database and the data directory (created, private). Every other setting is bound and validated by its feature's
/// <c>AddPoddleXxx</c>, and checked once, by <see cref="ValidateAtBuild"/>.
/// </summary>
/// <param name="Options">The root settings, validated.</param>
/// <param name="Database">The store they name.</param>
/// <param name="DataDir">The data directory, absolute; it exists.</param>
internal sealed record PoddleHost(ServerOptions Options, DatabaseSettings Database, string DataDir)
{
    /// <summary>Reads the root settings (checked by <see cref="ServerOptionsValidator"/>) and creates the data directory.</summary>
    /// <exception cref="StartupConfigurationException">A setting is invalid; the message names its key.</exception>
    public static PoddleHost Read(IConfiguration configuration)
    {
        ServerOptions options;
        try
        {
            options = configuration.Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw BindingFailed(ex);
        }

        if (new ServerOptionsValidator().Validate(null, options) is { Failed: true } invalid)
        {
            throw new StartupConfigurationException(string.Join(Environment.NewLine, invalid.Failures));
        }

        DatabaseSettings.TryParse(options.Database, options.DataDir, out var database);
        var dataDir = Path.GetFullPath(options.DataDir);
        CreatePrivateDirectory(dataDir);
        return new PoddleHost(options, database!, dataDir);
    }

    /// <summary>
    /// The one validation of every option registered with <c>ValidateOnStart</c> (the host's start would run the same
    /// validators; running them here makes a bad setting fail <c>Build</c>, before anything listens), all problems in one
    /// message; then loads the keys kept in the data directory (a corrupt key file fails here too).
    /// </summary>
    /// <exception cref="StartupConfigurationException">A setting is invalid; the message names every bad key.</exception>
    public static void ValidateAtBuild(IServiceProvider services)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (OptionsValidationException ex)
        {
            throw new StartupConfigurationException(string.Join(Environment.NewLine, ex.Failures), ex);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            throw new StartupConfigurationException(
                string.Join(Environment.NewLine, ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)), ex);
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key ("Failed to convert configuration value at 'Auth:...'").
            throw BindingFailed(ex);
        }

        _ = services.GetRequiredService<AccessTokenSigningKey>();
        _ = services.GetRequiredService<SecretEncryptionKey>();
    }

    private static StartupConfigurationException BindingFailed(InvalidOperationException ex) =>
        new(ex.Message + (ex.InnerException is null ? string.Empty : " " + ex.InnerException.Message), ex);

    private static void CreatePrivateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StartupConfigurationException($"DataDir: cannot create '{path}': {ex.Message}", ex);
        }
    }
}
