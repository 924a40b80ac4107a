/**
 * "Now" as DICOM DA/TM/DT values. DICOM dates and times are local to the Timezone Offset From UTC
 * the dataset declares, so when the source declares one we write our times in it; otherwise UTC.
 */

export interface DicomNow {
  date: string; // DA YYYYMMDD
  time: string; // TM HHMMSS.ffffff
  dateTime: string; // DT with its explicit UTC offset
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "+0100" / "-0500" -> minutes east of UTC; undefined when absent or malformed. */
export function parseTimezoneOffset(value: string | undefined): number | undefined {
  const match = /^([+-])(\d{2})(\d{2})$/.exec(value?.trim() ?? '');
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

export function dicomNow(now: Date, offsetMinutes = 0): DicomNow {
  const local = new Date(now.getTime() + offsetMinutes * 60_000);
  const date = `${local.getUTCFullYear()}${pad(local.getUTCMonth() + 1)}${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}${pad(local.getUTCMinutes())}${pad(local.getUTCSeconds())}.${pad(local.getUTCMilliseconds(), 3)}000`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return { date, time, dateTime: `${date}${time}${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}` };
}
