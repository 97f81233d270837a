return await Poddle.Cli.CliApp.RunAsync(args);
