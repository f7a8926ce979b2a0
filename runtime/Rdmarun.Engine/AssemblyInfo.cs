using System.Runtime.CompilerServices;

// Unit tests call the raw libc bindings (e.g. chown in OwnerNameTests) to set up host state.
[assembly: InternalsVisibleTo("Rdmarun.Engine.Tests")]
