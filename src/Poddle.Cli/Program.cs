using System.Globalization;

// The CLI, the server and its background loops format and compare as before ICU was loaded (invariant), whatever the
// machine's LANG; the web app sets a language per request (docs/decisions/0011-web-app-languages-with-icu.md).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
return await Poddle.Cli.CliApp.RunAsync(args);
