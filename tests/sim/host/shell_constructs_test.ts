import assert from "node:assert/strict";
import { testHost } from "./harness.ts";

Deno.test('awk prints fields with -F, /re/ patterns, NR==N and $1=="x" comparisons', async () => {
  const h = testHost();
  const csv = "printf 'a:1\\nb:2\\nc:3\\n'";
  assert.equal((await h.sh(`${csv} | awk -F: '{print $2}'`)).stdout, "1\n2\n3\n");
  assert.equal((await h.sh(`${csv} | awk -F: '/b/ {print $1}'`)).stdout, "b\n");
  assert.equal((await h.sh(`${csv} | awk -F: 'NR==3'`)).stdout, "c:3\n");
  assert.equal((await h.sh(`${csv} | awk -F: '$1=="a" {print $2 "x"}'`)).stdout, "1x\n");
  assert.equal(
    (await h.sh(`${csv} | awk -F: '{s += $2} END {printf "%d/%d\\n", s, NR}'`)).stdout,
    "6/3\n",
  );
  const ethtool = await h.sh("ethtool -T ens5 | awk '/PTP Hardware Clock/ {print $NF}'");
  assert.equal(ethtool.stdout, "none\n");
  assert.equal((await h.sh("awk '{'")).code, 2);
});

Deno.test("sed substitutes, prints line N with -n, deletes matching lines and edits in place", async () => {
  const h = testHost();
  const src = "printf 'one\\ntwo\\nthree\\n'";
  assert.equal((await h.sh(`${src} | sed 's/o/0/g'`)).stdout, "0ne\ntw0\nthree\n");
  assert.equal((await h.sh(`${src} | sed -n '2p'`)).stdout, "two\n");
  assert.equal((await h.sh(`${src} | sed '/^t/d'`)).stdout, "one\n");
  assert.equal((await h.sh(`${src} | sed -e 's/one/1/' -e 's/two/2/'`)).stdout, "1\n2\nthree\n");
  assert.equal((await h.sh(`${src} | sed -E 's/(t)(w)/\\2\\1/'`)).stdout, "one\nwto\nthree\n");
  await h.sh("printf 'server x\\n' > /tmp/c.conf && sed -i 's/^server/pool/' /tmp/c.conf");
  assert.equal((await h.sh("cat /tmp/c.conf")).stdout, "pool x\n");
  const denied = await h.sh("sed -i 's/a/b/' /etc/chrony.conf");
  assert.notEqual(denied.code, 0, "ec2-user may not edit /etc in place");
});

Deno.test("grep -E -q -v -c -o -i -F, cut, sort -u -n, head/tail, tr and wc in pipes", async () => {
  const h = testHost();
  const src = "printf 'b 2\\na 10\\nb 2\\nC 1\\n'";
  assert.equal((await h.sh(`${src} | grep -c b`)).stdout, "2\n");
  assert.equal(
    (await h.sh(`${src} | grep -vi c | grep -oE '[0-9]+' | sort -n -u`)).stdout,
    "2\n10\n",
  );
  assert.equal((await h.sh(`${src} | grep -qF 'a 1' && echo hit`)).stdout, "hit\n");
  assert.equal((await h.sh(`${src} | cut -d' ' -f2 | head -n 2`)).stdout, "2\n10\n");
  assert.equal((await h.sh(`${src} | tail -1`)).stdout, "C 1\n");
  assert.equal((await h.sh(`${src} | tail -n +3 | wc -l`)).stdout, "2\n");
  assert.equal((await h.sh(`${src} | head -1 | tr a-z A-Z`)).stdout, "B 2\n");
  assert.equal((await h.sh("echo 'a  b' | tr -s ' ' | tr -d b")).stdout, "a \n");
});

Deno.test("for loops, while read, if and heredocs run as in bash", async () => {
  const h = testHost();
  assert.equal((await h.sh('for x in a b; do echo "<$x>"; done')).stdout, "<a>\n<b>\n");
  assert.equal(
    (await h.sh("printf '1 a b\\n2 c\\n' | while read -r n rest; do echo \"$n=$rest\"; done"))
      .stdout,
    "1=a b\n2=c\n",
  );
  assert.equal(
    (await h.sh("if [ -e /nope ]; then echo a; elif true; then echo b; else echo c; fi")).stdout,
    "b\n",
  );
  assert.equal((await h.sh("cat <<'EOF'\n$HOME\nEOF")).stdout, "$HOME\n");
  assert.equal((await h.sh("cat <<EOF\n$HOME $(id -u)\nEOF")).stdout, "/home/ec2-user 1000\n");
  const tee = await h.sh(
    "sudo -n tee /etc/chrony.d/p.conf >/dev/null <<'EOF'\n# ptp-runner\nrefclock PHC /dev/ptp_ena poll 0\nEOF\ncat /etc/chrony.d/p.conf",
  );
  assert.equal(tee.stdout, "# ptp-runner\nrefclock PHC /dev/ptp_ena poll 0\n");
  assert.equal((await h.sh("echo ${UNSET:-dflt} x$(echo y)z")).stdout, "dflt xyz\n");
  assert.equal(
    (await h.sh("for i in 1 2 3; do [ $i = 2 ] && break; echo $i; done")).stdout,
    "1\n",
  );
});
