using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Poddle.Core.Jobs;
using Poddle.JobHost;
using Poddle.Server.Hosting;

// Usage: Poddle.JobHost <database setting> <record file> <block|complete> [Key=Value settings...]
// Runs the real server (all roles) plus RecordingJobHandler until killed or stopped.
if (args.Length < 3)
{
    await Console.Error.WriteLineAsync("usage: Poddle.JobHost <database> <record-file> <block|complete> [Key=Value...]");
    return 2;
}

var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
{
    ["Database"] = args[0],
    ["Admin:Password"] = "jobhost-admin-password",
    ["Auth:PasswordWorkFactor"] = "10",
};
foreach (var pair in args.Skip(3))
{
    var parts = pair.Split('=', 2);
    settings[parts[0]] = parts[1];
}

var handler = new RecordingJobHandler(args[1], args[2] == "block");
var dataDir = Path.Combine(Path.GetTempPath(), "poddle-jobhost-" + Guid.NewGuid().ToString("N")[..12]);
var app = await PoddleServer.StartAsync(
    new ServerStartOptions { Urls = "http://127.0.0.1:0", DataDir = dataDir, Settings = settings, Console = TextWriter.Null },
    builder => builder.Services.AddKeyedSingleton<IJobHandler>(handler.Kind, handler));
await app.WaitForShutdownAsync();
return 0;
