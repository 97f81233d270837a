namespace Poddle.Cli.Commands.Fleet;

/// <summary>What `poddle pods start|stop|terminate` does to one pod.</summary>
internal enum PodAction
{
    Start,
    Stop,
    Terminate,
}
