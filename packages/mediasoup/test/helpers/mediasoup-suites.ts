/**
 * What mediasoup's own test suites are expected to do against this package's
 * worker: the tests that fail here, each with its reason (the package README
 * lists them too), and a reader for Catch2's XML report.
 */

/** Node tests (lib/tests, jest) that fail here, by file and full name, with the reason. None. */
export const KNOWN_NODE_FAILURES: Record<string, Record<string, string>> = {};

/**
 * C++ test cases (worker/test, Catch2) that fail here: by test case, the
 * sections that fail and the one failure message each may have, with the
 * reason. Every other section of those test cases must pass.
 */
export const KNOWN_CPP_FAILURES: Record<
  string,
  { sections: string[]; message: string; reason: string }
> = {
  'Scenario: parse RTP packets': {
    sections: ['parse packet1.raw', 'parse packet2.raw', 'parse packet3.raw'],
    message: 'cannot open file',
    reason:
      "the captured packets it parses (worker/test/data/packet{1,2,3}.raw) are in mediasoup's repository but not in its npm tarball, which ships only worker/test/src and worker/test/include",
  },
  'Scenario: parse RTP packets with H264 SVC': {
    sections: [
      'parse I0-7.bin',
      'parse I0-8.bin',
      'parse I0-5.bin',
      'parse I1-15.bin',
      'parse I0-14.bin',
      'parse 2SL-I14.bin',
    ],
    message: 'cannot open file',
    reason:
      "the captured H264 SVC packets it parses (worker/test/data/H264_SVC/*.bin) are in mediasoup's repository but not in its npm tarball",
  },
};

export type CatchFailure = { section: string; message: string };
export type CatchTestCase = { name: string; success: boolean; failures: CatchFailure[] };

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * The test cases of a Catch2 2.x XML report (`-r xml`), each with its
 * failures (a failed expression or an explicit FAIL) and the innermost
 * section each happened in; and the report's totals.
 */
export function parseCatchXml(xml: string): {
  cases: CatchTestCase[];
  totals: { successes: number; failures: number } | undefined;
} {
  const cases: CatchTestCase[] = [];
  for (const m of xml.matchAll(/<TestCase name="([^"]*)"[^>]*>([\s\S]*?)<\/TestCase>/g)) {
    const body = m[2]!;
    const last = body.slice(body.lastIndexOf('<OverallResult '));
    const failures: CatchFailure[] = [];
    for (const f of body.matchAll(
      /<Failure[^>]*>([\s\S]*?)<\/Failure>|<Expression success="false"[^>]*>([\s\S]*?)<\/Expression>/g,
    )) {
      const before = body.slice(0, f.index);
      const sections = [...before.matchAll(/<Section name="([^"]*)"/g)];
      failures.push({
        section: decode(sections.at(-1)?.[1] ?? ''),
        message: decode(
          (f[1] ?? f[2] ?? '')
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        ),
      });
    }
    cases.push({
      name: decode(m[1]!),
      success: /<OverallResult success="true"/.test(last),
      failures,
    });
  }
  const overall = /<OverallResultsCases successes="(\d+)" failures="(\d+)"/.exec(xml);
  return {
    cases,
    totals: overall ? { successes: Number(overall[1]), failures: Number(overall[2]) } : undefined,
  };
}
