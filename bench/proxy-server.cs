#:project ../src/Poddle.Server/Poddle.Server.csproj
#:property PublishAot=false
#:property ServerGarbageCollection=true
#:property ConcurrentGarbageCollection=false
#:property TieredPGO=true
// Poddle's server, in process, with one app routed to a backend that is already running: the proxy half of
// bench/proxy-vs-nginx.sh. Starts the real server (PoddleServer.StartAsync, SQLite in a temporary directory), creates a
// project "bench" and a deployment "web" (host web-bench.localhost) whose one ready replica is the backend, waits until
// the route is in the proxy's table, prints READY and serves until stdin closes or SIGTERM.
// Usage: dotnet run -c Release bench/proxy-server.cs -- <listen-port> <backend-host> <backend-port>
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Poddle.Core.Deployments;
using Poddle.Core.Persistence;
using Poddle.Core.Projects;
using Poddle.Server.Hosting;
using Poddle.Server.Proxy;

var port = int.Parse(args[0], CultureInfo.InvariantCulture);
var backendHost = args[1];
var backendPort = int.Parse(args[2], CultureInfo.InvariantCulture);
var dataDir = Directory.CreateTempSubdirectory("poddle-proxy-bench-").FullName;
var settings = new Dictionary<string, string?>
{
    ["Admin:Password"] = "bench-admin-password",
    ["Logging:LogLevel:Default"] = "Warning",

    // The code runner is not measured: no warm pool, no language verification at start.
    ["Sandbox:Execution:Languages:0"] = "python",
    ["Sandbox:Execution:VerifyLanguages"] = "false",
    ["Sandbox:Execution:WarmPool:Enabled"] = "false",
};
var app = await PoddleServer.StartAsync(new ServerStartOptions
{
    Urls = $"http://127.0.0.1:{port}",
    DataDir = dataDir,
    Settings = settings,
    Console = TextWriter.Null,
});

var now = DateTimeOffset.UtcNow;
var deploymentId = Guid.CreateVersion7();
await using (var scope = app.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<PoddleDbContext>();
    var admin = db.Users.Single(u => u.Username == "admin");
    var project = new Project { Id = Guid.CreateVersion7(), OwnerId = admin.Id, Name = "bench", CreatedAt = now, UpdatedAt = now };
    db.Projects.Add(project);
    db.Deployments.Add(new Deployment
    {
        Id = deploymentId, ProjectId = project.Id, OwnerId = admin.Id, Name = "web", Driver = "sandbox", Replicas = 1,
        CurrentRevision = 1, Status = DeploymentStatus.Running, StatusChangedAt = now, Generation = 1, ObservedGeneration = 1,
        CreatedAt = now, UpdatedAt = now,
    });
    db.DeploymentRevisions.Add(new DeploymentRevision { Id = Guid.CreateVersion7(), DeploymentId = deploymentId, Number = 1, SpecJson = "{}", Cause = "create", CreatedAt = now });
    db.Replicas.Add(new Replica
    {
        Id = Guid.CreateVersion7(), DeploymentId = deploymentId, Revision = 1, Driver = "sandbox", Phase = ReplicaPhase.Running, Ready = true,
        EndpointHost = backendHost, EndpointPort = backendPort, StartedAt = now, ReadySince = now, CreatedAt = now, UpdatedAt = now,
    });
    await db.SaveChangesAsync();
}

app.Services.GetRequiredService<DeploymentChangeSignal>().Notify(deploymentId);
var routes = app.Services.GetRequiredService<ProxyRoutes>();
await routes.RefreshAsync();
if (!routes.Current.TryFind("web-bench.localhost", out var route) || route.Destinations.Count != 1)
{
    Console.Error.WriteLine("The route web-bench.localhost did not appear.");
    return 1;
}

Console.WriteLine("READY");
var stop = new TaskCompletionSource();
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    stop.TrySetResult();
});
_ = Task.Run(() =>
{
    Console.In.ReadToEnd();
    stop.TrySetResult();
});
await stop.Task;
await app.StopAsync();
await app.DisposeAsync();
Directory.Delete(dataDir, recursive: true);
return 0;
