namespace Poddle.Cli.Commands.Fleet;

/// <summary>`poddle pods ls|get|create|start|stop|terminate|account|monitor`: operators' pods at a driver (runpodctl's verbs).</summary>
internal sealed class PodsCommand(CliEnvironment environment, GlobalOptions globals) : CliCommandGroup(
    "pods",
    "Operators: list, show, create, start, stop, terminate and watch pods at a driver (RunPod, Docker, sandbox), and the RunPod account",
    new ListPodsCommand(environment, globals),
    new GetPodCommand(environment, globals),
    new CreatePodCommand(environment, globals),
    new PodActionCommand(PodAction.Start, environment, globals),
    new PodActionCommand(PodAction.Stop, environment, globals),
    new PodActionCommand(PodAction.Terminate, environment, globals),
    new PodAccountCommand(environment, globals),
    new MonitorPodsCommand(environment, globals));
