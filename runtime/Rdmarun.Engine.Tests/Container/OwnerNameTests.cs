using Rdmarun.Engine.Container;

namespace Rdmarun.Engine.Tests.Container;

public class OwnerNameTests
{
    [Fact]
    public void The_state_directorys_owner_is_shown_by_name_or_as_hash_uid()
    {
        var passwd = Path.GetTempFileName();
        try
        {
            File.WriteAllText(passwd, "root:x:0:0::/root:/bin/sh\n# comment\nbroken\nslurmtest:x:1001:1001::/home/s:/bin/sh\n");
            Assert.Equal("slurmtest", OwnerName.Lookup(1001, passwd));
            Assert.Equal("root", OwnerName.Lookup(0, passwd));
            Assert.Equal("#4242", OwnerName.Lookup(4242, passwd));
            Assert.Equal("#7", OwnerName.Lookup(7, "/nonexistent/passwd"));
        }
        finally { File.Delete(passwd); }
    }

    [Fact]
    public void A_directory_owned_by_another_uid_reports_that_uid()
    {
        var dir = Directory.CreateTempSubdirectory("owner-").FullName;
        try
        {
            Assert.Equal(0, Rdmarun.Engine.Native.Libc.chown(dir, 4243, 4243));
            Assert.Equal("#4243", OwnerName.Of(dir));
        }
        finally { Directory.Delete(dir); }
    }
}
