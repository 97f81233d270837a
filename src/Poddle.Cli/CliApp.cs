using System.CommandLine;
using Poddle.Server.Hosting;

namespace Poddle.Cli;

/// <summary>Placeholder entry point; replaced by the full command tree.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on" };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory" };
        var serve = new Command("serve", "Run the Poddle server") { urls, dataDir };
        serve.SetAction(async (parse, ct) =>
        {
            var app = PoddleServer.Build(new ServerStartOptions { Urls = parse.GetValue(urls), DataDir = parse.GetValue(dataDir) });
            await PoddleServer.InitializeAsync(app, null, ct);
            await app.RunAsync();
            return 0;
        });
        var root = new RootCommand("Poddle") { serve };
        return await root.Parse(args).InvokeAsync();
    }
}
