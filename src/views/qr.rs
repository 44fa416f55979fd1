//! QR codes of an address, as an SVG document or as PNG bytes: pure functions, no I/O.
//!
//! Both draw the same symbol at error correction level M, which still reads with some 15 % of it
//! smudged, folded or torn, as printed letters and posters get, inside the quiet zone of four
//! light modules that readers need to find the symbol's edges.

use anyhow::Context;
use maud::html;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules on every side of the symbol, as the QR code standard asks.
const QUIET_ZONE: usize = 4;

/// Pixels per module in the PNG: sharp once printed a few centimetres wide, yet a small file.
const MODULE_PIXELS: usize = 8;

/// A QR code inside its quiet zone.
struct Symbol(QrCode);

impl Symbol {
    fn encode(text: &str) -> anyhow::Result<Symbol> {
        QrCode::with_error_correction_level(text, EcLevel::M)
            .map(Symbol)
            .with_context(|| format!("cannot put {} bytes in a QR code", text.len()))
    }

    /// Modules on each side, quiet zone included.
    fn side(&self) -> usize {
        self.0.width() + 2 * QUIET_ZONE
    }

    /// Whether the module at column `x` and row `y`, counted from the quiet zone's corner, is dark.
    fn is_dark(&self, x: usize, y: usize) -> bool {
        let inside = |at: usize| at.checked_sub(QUIET_ZONE).filter(|&at| at < self.0.width());
        match (inside(x), inside(y)) {
            (Some(x), Some(y)) => self.0[(x, y)] == Color::Dark,
            _ => false,
        }
    }
}

/// `text` as an SVG document (`image/svg+xml`), one module per user unit.
pub fn svg(text: &str) -> anyhow::Result<String> {
    let symbol = Symbol::encode(text)?;
    let side = symbol.side();
    // One path for every dark module, a rectangle per run of them along a row: about a third of
    // the bytes of a square per module.
    let mut path = String::new();
    for y in 0..side {
        let row: Vec<bool> = (0..side).map(|x| symbol.is_dark(x, y)).collect();
        let mut x = 0;
        for run in row.chunk_by(|a, b| a == b) {
            if run[0] {
                path.push_str(&format!("M{x} {y}h{n}v1h-{n}z", n = run.len()));
            }
            x += run.len();
        }
    }
    // maud escapes the text: without a configured public URL, the address comes from the
    // request's headers, and an SVG opened on its own runs the markup it holds.
    let markup = html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (side) " " (side) }
            width=(side * MODULE_PIXELS) height=(side * MODULE_PIXELS)
            role="img" shape-rendering="crispEdges" {
            title { "QR code — " (text) }
            rect width=(side) height=(side) fill="#fff" {}
            path d=(path) fill="#000" {}
        }
    };
    Ok(markup.into_string())
}

/// `text` as a 1-bit greyscale PNG, `MODULE_PIXELS` pixels a module.
pub fn png(text: &str) -> anyhow::Result<Vec<u8>> {
    let symbol = Symbol::encode(text)?;
    let pixels = symbol.side() * MODULE_PIXELS;
    // A bit a pixel, set for white, each row padded to whole bytes as PNG wants.
    let stride = pixels.div_ceil(8);
    let mut data = vec![0u8; stride * pixels];
    for (y, row) in data.chunks_exact_mut(stride).enumerate() {
        for x in 0..pixels {
            if !symbol.is_dark(x / MODULE_PIXELS, y / MODULE_PIXELS) {
                row[x / 8] |= 0x80 >> (x % 8);
            }
        }
    }
    let side = u32::try_from(pixels).context("the largest QR code is 1,480 pixels wide")?;
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    let mut writer = encoder
        .write_header()
        .context("cannot write the PNG header")?;
    writer
        .write_image_data(&data)
        .context("cannot write the PNG pixels")?;
    writer.finish().context("cannot finish the PNG")?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses of every length a button's questionnaire may have, and characters to escape.
    const ADDRESSES: &[&str] = &[
        "http://127.0.0.1:8080/f/0190a4b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b",
        "https://avis.example.gouv.fr/f/0190a4b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b",
        "https://a.example/f/x?a=1&b=<2>\"'",
        "https://services.une-administration-au-nom-long.example.gouv.fr/satisfaction/avis/usagers/f/0190a4b2-7c3e-7d4f-8a1b-2c3d4e5f6a7b",
    ];

    /// The text of the one QR code in a greyscale image, checked to be at level M.
    fn read(width: usize, pixels: &[u8]) -> String {
        let height = pixels.len() / width;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
            pixels[y * width + x]
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        let (meta, text) = grids[0].decode().expect("the QR code decodes");
        // The format bits 00 are level M.
        assert_eq!(meta.ecc_level, 0);
        text
    }

    /// The PNG's side in pixels and its pixels, 0 for black and 255 for white.
    fn decode_png(bytes: &[u8]) -> (usize, Vec<u8>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().expect("a PNG header");
        let mut pixels = vec![0; reader.output_buffer_size().expect("a small image")];
        let info = reader.next_frame(&mut pixels).expect("PNG pixels");
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        assert_eq!(info.width, info.height, "a square");
        pixels.truncate(info.buffer_size());
        (info.width as usize, pixels)
    }

    /// The SVG's path painted black on white, a pixel a module.
    fn paint(document: &roxmltree::Document) -> (usize, Vec<u8>) {
        let root = document.root_element();
        let side: usize = root
            .attribute("viewBox")
            .and_then(|b| b.split(' ').nth(2))
            .and_then(|s| s.parse().ok())
            .expect("a square viewBox");
        let mut pixels = vec![255; side * side];
        let path = root
            .children()
            .find(|n| n.has_tag_name("path"))
            .expect("a path");
        let d = path.attribute("d").expect("path data");
        for run in d.split('M').filter(|r| !r.is_empty()) {
            // Each run reads `M{x} {y}h{n}v1h-{n}z`.
            let (at, rest) = run.split_once('h').expect("a run");
            let (x, y) = at.split_once(' ').expect("a point");
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let n: usize = rest.split_once('v').expect("a height").0.parse().unwrap();
            pixels[y * side + x..y * side + x + n].fill(0);
        }
        (side, pixels)
    }

    #[test]
    fn the_svg_is_a_well_formed_image_titled_with_its_address() {
        for address in ADDRESSES {
            let svg = svg(address).unwrap();
            let document = roxmltree::Document::parse(&svg).expect("well-formed XML");
            let root = document.root_element();
            assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
            assert_eq!(root.attribute("role"), Some("img"));
            assert_eq!(root.attribute("shape-rendering"), Some("crispEdges"));
            let title = root.first_element_child().expect("a first child");
            assert!(title.has_tag_name("title"), "the title comes first");
            assert_eq!(title.text(), Some(format!("QR code — {address}").as_str()));
            let paths = root.children().filter(|n| n.has_tag_name("path")).count();
            assert_eq!(paths, 1);
        }
    }

    #[test]
    fn the_svg_reads_back_as_its_address() {
        for address in ADDRESSES {
            let svg = svg(address).unwrap();
            let (side, pixels) = paint(&roxmltree::Document::parse(&svg).unwrap());
            assert_eq!(read(side, &pixels), *address);
        }
    }

    #[test]
    fn the_png_is_a_square_of_eight_pixels_a_module_with_its_quiet_zone() {
        let (side, pixels) = decode_png(&png(ADDRESSES[1]).unwrap());
        assert_eq!(side % MODULE_PIXELS, 0);
        let modules = side / MODULE_PIXELS - 2 * QUIET_ZONE;
        assert_eq!(
            (modules - 21) % 4,
            0,
            "{modules} modules is a QR code version's width"
        );
        let quiet = QUIET_ZONE * MODULE_PIXELS;
        let in_quiet_zone = |at: usize| at < quiet || at >= side - quiet;
        for (i, pixel) in pixels.iter().enumerate() {
            let (x, y) = (i % side, i / side);
            if in_quiet_zone(x) || in_quiet_zone(y) {
                assert_eq!(*pixel, 255, "({x}, {y}) is in the quiet zone");
            }
        }
        assert_eq!(
            pixels[quiet * side + quiet],
            0,
            "the finder pattern's corner is dark"
        );
    }

    #[test]
    fn the_png_reads_back_as_its_address() {
        for address in ADDRESSES {
            let (side, pixels) = decode_png(&png(address).unwrap());
            assert_eq!(read(side, &pixels), *address);
        }
    }

    #[test]
    fn an_address_too_long_for_a_qr_code_is_an_error() {
        let address = format!("https://a.example/{}", "x".repeat(3_000));
        assert!(svg(&address).is_err());
        assert!(png(&address).is_err());
    }
}
