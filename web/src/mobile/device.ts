/** The phone's camera photos and position, as the pages use them. */

export interface Point {
  latitude: number;
  longitude: number;
}

/** The device's position, or null when refused, unavailable or slower than 10 s. */
export function position(): Promise<Point | null> {
  return new Promise((resolve) => {
    if (!("geolocation" in navigator)) {
      resolve(null);
      return;
    }
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => resolve({ latitude: coords.latitude, longitude: coords.longitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 60_000 },
    );
  });
}

const LONGEST_SIDE = 1600;

/**
 * A camera photo made small enough for a slow network (JPEG, at most 1600 px a side); the
 * original when the browser cannot decode it (HEIC: the server converts it) or it is small.
 */
export async function shrink(file: File): Promise<{ blob: Blob; name: string }> {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.size < 1_000_000) return { blob: file, name: file.name };
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    return blob ? { blob, name: file.name.replace(/\.[^.]*$/, "") + ".jpg" } : { blob: file, name: file.name };
  } catch {
    return { blob: file, name: file.name };
  }
}
