using System.Runtime.Versioning;

// The sandbox is Linux only, and so are its tests.
[assembly: SupportedOSPlatform("linux")]

// The runner's tests have tight wall limits (a fork bomb gets 1.5 s) and the executor's compile Java and C#: on a
// 2-core machine, running the classes side by side made the runner's tests miss their limits. One class at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
