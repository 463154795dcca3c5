// Placeholder; replaced as the target grows.
import Foundation
