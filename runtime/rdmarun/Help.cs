namespace Rdmarun.Cli;

/// <summary>--help text.</summary>
public static class Help
{
    public static int Print()
    {
        Console.WriteLine("""
            rdmarun - an OCI container runtime with RDMA isolation (runc-compatible command line)

            usage: rdmarun [global options] command [command options] [arguments...]

            commands:
              create    create a container from a bundle (waits for start)
              start     start the user process of a created container
              run       create and start a container (--detach to return at once)
              state     print the state of a container as JSON
              kill      send a signal to the container's init (--all: every process)
              delete    delete a container (--force: kill it first)
              exec      run a new process inside a container
              list      list containers (--format table|json, -q)
              ps        list a container's processes (--format table|json; arguments after the id go to ps)
              pause     freeze every process of a container
              resume    thaw a paused container
              update    change a container's resource limits (-r FILE|-, --memory, --pids-limit, ...)
              events    print cgroup statistics and OOM events as JSON (--stats: once; --interval 5s)
              spec      write a default config.json (--rootless, --bundle)
              features  print the features this runtime implements (runtime-spec features.md)

            HPC commands:
              launch    run one MPI rank in a throw-away container: rdmarun launch [-b BUNDLE] -- PROGRAM [ARGS...]
                        (host network/IPC/UTS/PID, caller's uid, cwd, /tmp, /dev/shm and MPI variables;
                        --env K=V, --pass-env NAME|PREFIX*, --pid-ns private, --bind SRC[:DST], --no-host-tmp, --no-bind-cwd)
              rsh       exec agent for mpirun (plm_rsh_agent): rdmarun rsh CONTAINER COMMAND...

            RDMA commands:
              cdi generate  print a CDI spec of this host's RDMA devices (kind rdmarun.io/rdma, one device per HCA
                            and "all"; --mad, --issm add umad/issm nodes; --hook-path P, --no-hooks; --output FILE)
              rdma-hook     OCI hook for runc/crun: rdma-hook createRuntime|createContainer|poststop (state on stdin)

            global options:
              --root DIR              state directory (default /run/rdmarun, rootless: $XDG_RUNTIME_DIR/rdmarun)
              --log FILE              write log entries to FILE
              --log-format text|json  log format (default text)
              --debug                 log debug entries
              --systemd-cgroup        use the systemd cgroup driver
              --warm-run              a foreground `run` publishes its container as a template, and later runs
                                      of the same config (only process.args/env differ: Slurm's steps) start
                                      from it in ~10 ms (runtime/native/RUN_TEMPLATE.md; root only)
              --version, -v           print the version
              --help, -h              print this help
            """);
        return 0;
    }
}
