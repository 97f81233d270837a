// The agent runs in Linux pods only; so do its tests (real processes, signals, /proc).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
