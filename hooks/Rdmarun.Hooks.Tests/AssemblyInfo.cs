// Serial: a script written by one test while another test spawns can be held open for writing by
// the spawned child until its exec, and exec of that script then fails with ETXTBSY.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
