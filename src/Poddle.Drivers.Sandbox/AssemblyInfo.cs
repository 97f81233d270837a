using System.Runtime.Versioning;

// Namespaces, cgroups and bubblewrap exist only on Linux.
[assembly: SupportedOSPlatform("linux")]
