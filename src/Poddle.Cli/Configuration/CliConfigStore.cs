using System.Text.Json;

namespace Poddle.Cli.Configuration;

/// <summary>
/// Reads and writes config.json in the config directory. The file holds a secret (the API token), so the
/// directory is 0700 and the file 0600, and a save replaces the file atomically (write a new file, then rename).
/// </summary>
public sealed class CliConfigStore(string directory)
{
    public const string FileName = "config.json";

    public string Directory { get; } = directory;

    public string FilePath => Path.Combine(Directory, FileName);

    public CliConfig Load()
    {
        if (!File.Exists(FilePath))
        {
            return new CliConfig();
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(FilePath), CliJsonContext.Default.CliConfig) ?? new CliConfig();
        }
        catch (JsonException ex)
        {
            throw new CliException($"The config file {FilePath} is not valid JSON ({ex.Message}). Delete it and run `poddle login` again.");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot read the config file {FilePath}: {ex.Message}");
        }
    }

    public void Save(CliConfig config)
    {
        try
        {
            CreatePrivateDirectory();
            var temporary = Path.Combine(Directory, $".{FileName}.{Guid.NewGuid():N}.tmp");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, config, CliJsonContext.Default.CliConfig);
            }

            File.Move(temporary, FilePath, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write the config file {FilePath}: {ex.Message}. Set {CliEnvironment.ConfigDirVariable} to a writable directory.");
        }
    }

    private void CreatePrivateDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(Directory);
            return;
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

        // Only a directory created here gets 0700: PODDLE_CONFIG_DIR may name a shared directory whose mode is not ours
        // to change. The file itself is 0600 either way.
        System.IO.Directory.CreateDirectory(Directory, Private);
    }
}
