using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Rdmarun.Cgroups.Tests")]
